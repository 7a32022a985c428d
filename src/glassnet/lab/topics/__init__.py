"""One module (or package) per topic of the notes, named after its topic id in `notes/index.toml`.

How to write a topic (compression, style_transfer, hyperparameters are next):

1. Measure. `measure(mode, seed)` returns plain data: numbers, arrays for the figures, no prose.
   Train with the kit: `kit.data` (one Split, MNIST-1D, digits), `kit.loop.train_loop` (the
   one textbook loop, hooks before and after the update), `kit.clock.Clock`, `kit.stats`.
2. Judge. One small function per claim turns numbers into a verdict with its rule:
   `result.judge(claim_id, verdict, numbers, rule, asserted=..., margin=...)`. The thresholds are
   constants in the topic's lowest file, fixed before measuring.
3. Say. Prose lives in `notes/TOPIC.toml` (glassnet.lab.catalog): fixed text for method and
   theory (`result.text(key)`), and a template with named numbers for every sentence that states
   a measurement (`result.say(key, **numbers)`), its comparison words chosen by the numbers.
4. Draw. Figures in their own functions, labelled with `fonts.figure_text(Text(en, zh))`.

Then register the entry point:

    from glassnet.lab.registry import experiment
    from glassnet.lab.result import Result

    @experiment("TOPIC_ID")
    def run(mode: str, seed: int) -> Result:
        result = Result.start("TOPIC_ID", mode, seed, setup=result_setup_text)
        data = measure(mode, seed)
        judge_claim_a(result, data); judge_claim_b(result, data); draw(result, data)
        return result

A topic that needs several files is a package, `topics/TOPIC_ID/{__init__,settings,measure,
judge,figures}.py`, imports flowing one way (settings <- measure <- judge, figures <- __init__);
no underscore helper files, no import inside a function to dodge a loop, no function over ~60
lines (tests/lab/test_lab_shape.py checks all three). Modes: 'smoke' (seconds: the tests run
it), 'quick' (all topics together within 10 minutes on 2 cores), 'full' (as long as the
question deserves).
"""
