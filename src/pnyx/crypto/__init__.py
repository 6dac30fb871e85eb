"""Verifiable votes, the pure part: groups, ElGamal, zero-knowledge proofs, credentials,
trustees, ballots, the tally, the election record and its verifier, following the Belenios
specification (version 2.0). Nothing here imports Django. See docs/verifiable-votes.md."""
