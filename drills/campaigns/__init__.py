"""Drills in numbers or with a person: game days, comparisons of procedures,
rehearsals, incident evidence in git, the history of past drills."""
