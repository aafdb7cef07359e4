"""Rules turn a reading into observations; the lifecycle decides what they mean."""
