"""One function per endpoint of the platform, building its `Call`: what the request is
and how its answer is read. Nothing here sends anything."""
