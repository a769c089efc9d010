"""Load, edit and save a Halyard ``~/.hal`` directory without changing what an edit does not own."""
