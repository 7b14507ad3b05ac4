"""What every renderer shares: the terminal table writer and plain JSON values."""
