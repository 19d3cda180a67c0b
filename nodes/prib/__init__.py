"""Nodes of node-red-contrib-prib-functions: flow-test (its ``test`` node: send a test message
and check what comes back), data-analysis (its ``Data Analysis`` node: statistics over an
array, and running statistics per key), convert (its ``transform`` node's JSON, CSV, HTML,
array and text conversions), load-injector (its ``Load Injector``: messages at random
intervals for a while) and monitor-flow (its ``Monitor Flow``: message rates in the status).

They keep the contrib's arithmetic as it is, quirks included (an unsorted median, its
skewness formula), so an imported flow computes what it computed in Node-RED; each node's
help says where that differs from the textbook.
"""
