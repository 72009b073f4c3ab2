"""What every part of nocode stands on, and nothing of nocode itself: the errors meant for
a user, the embedded PostgreSQL, a data folder's secrets, and supervising a server's
process group. The bottom layer: it imports no other package of this repository."""
