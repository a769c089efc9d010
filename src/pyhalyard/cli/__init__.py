"""The ``hal`` command: thin click layers over the pipeline functions."""
