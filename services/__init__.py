"""The four services of the case loop; none imports another."""
