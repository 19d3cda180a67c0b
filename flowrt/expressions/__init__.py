"""What a flow author writes and a node evaluates: property paths, typed values, JSONata
(with its moment functions and limits), Jinja templates (in their sandbox, with their size
limits), bounded regular expressions and time limits."""
