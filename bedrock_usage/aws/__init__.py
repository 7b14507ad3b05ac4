"""The boto3 session, and everything the setup scripts provision or check: logging, buckets, Athena, the mirror."""
