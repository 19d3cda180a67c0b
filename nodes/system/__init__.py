"""System nodes: run commands on the host (exec) and watch files and directories for changes
(watch).

exec runs programs as the flowrt process's user, with its rights: it is declared a system
command (``evaluates`` in flowrt.api), so only ``--scripts allow`` runs it. watch opens nothing
but still goes through the file rule of ``--files``. watchfiles is imported when a watch node
starts, never with the registry.
"""
