// Package check validates the Kubernetes manifests in deploy/kubernetes without a cluster. Its
// tests (run by make test) decode every manifest strictly into the official k8s.io/api types, as
// the API server's strict field validation would (unknown, misspelt and duplicate fields fail),
// follow each kustomization and its ConfigMap and Secret generators, and check the wiring between
// the Jobs and the loader: every environment variable is a setting of pkg/config's schema, every
// Secret key a Job reads exists, tokens come only from the Secret, the Job's completion index
// reaches the loader as JOB_COMPLETION_INDEX and so becomes its shard, SHARD_COUNT equals the
// Job's completions, each backfill shard keeps its state in a file of its own on a shared claim,
// and the resulting configuration of every shard decodes and validates.
//
// The package has no code outside its tests; it is a module of its own so that the k8s.io
// dependencies stay out of the loader's and the control's modules.
package check
