"""Core nodes: timers, transforms, routing, flow control, files, debugging."""
