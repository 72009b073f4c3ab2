"""The workflow engine: runs an execution's nodes in graph order, records each node run as a
step of the run ledger as it happens, and resumes or fails cleanly after a crash.
"""
