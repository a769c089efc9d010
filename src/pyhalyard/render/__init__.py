"""render: plan -> bundle (Spring profiles per service, Kubernetes objects, topology)."""
