"""`make bench`: page and API timings against their SQL floor, measured in the same run."""
