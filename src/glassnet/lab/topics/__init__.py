"""One module per topic of the notes, named after its topic id in `notes/index.toml`.

To add a topic: write `topics/TOPIC_ID.py` with

    from glassnet.lab import Result, Text, Verdict, experiment

    @experiment("TOPIC_ID")
    def run(mode: str, seed: int) -> Result:
        result = Result.start("TOPIC_ID", mode, seed, setup=Text("...", "..."))
        ...  # measure; result.add_table / add_figure / judge(claim_id, verdict, numbers, rule)
        return result

The registry finds it by name (modules starting with '_' are helpers, not topics). Modes:
'smoke' (seconds: the tests run it), 'quick' (all topics together within 10 minutes on
2 cores, so ~30-60 s each), 'full' (as long as the question deserves).
"""
