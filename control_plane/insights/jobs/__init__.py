"""Insights' job kinds and schedules: `events` (partitions ahead, retention, the activity
collector), `metrics` (the apps' performance and the system metrics, gathered on a
schedule). `control_plane/modules.py` imports both."""
