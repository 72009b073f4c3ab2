"""Job kinds of the events: partitions made ahead, retention, the activity collector."""
