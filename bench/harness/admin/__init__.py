"""The admin's pages in a real browser: how long a view takes to show its results
(timing.py, shown.js) and what its assets weigh (assets.py)."""
