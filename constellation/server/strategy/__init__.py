"""Strategy: vision, mission, levers (the strategic bets) and the roadmap."""
