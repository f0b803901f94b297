"""MinBil car-owner backend."""
