"""deploy: take a rendered bundle to a cluster safely (kube.py is the only cluster seam)."""
