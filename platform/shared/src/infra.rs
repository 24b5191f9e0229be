//! The `Infra` bundle: every backend a service uses, built once at the edge.
