"""What an invocation log is: its S3 key layout, its table columns, who made a call, periods and regions."""
