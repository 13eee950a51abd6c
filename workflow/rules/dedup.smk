# dedup stage
