"""Redis for the HA split: endpoint parsing and masking, live replication checks."""
