"""Date and time nodes: moment (parse, shift, convert and format a date and time, as
node-red-contrib-moment's ``moment``) and humanizer (a number of seconds as English words, as
its ``humanizer``).

Time zones come from the standard library's zoneinfo (the IANA database, as moment-timezone's);
the names of months, days and relative times are moment.js's English ones (``en`` and
``en-gb``), so the text matches Node-RED's with those locales.
"""
