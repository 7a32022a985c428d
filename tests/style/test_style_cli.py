"""`glassnet style`: a picture and a sheet from the bundled samples; bad input exits 2 in one line."""

from __future__ import annotations

import numpy
import pytest
from PIL import Image

from glassnet.cli import main
from glassnet.style.images import load_image


def test_samples_make_a_picture_and_a_sheet(tmp_path, capsys):
    out = tmp_path / "out.png"
    status = main(
        [
            "style",
            "sample:china",
            "sample:flower",
            "-o",
            str(out),
            "--size",
            "96",
            "--steps",
            "4",
            "--sheet",
        ]
    )
    assert status == 0
    picture = numpy.asarray(Image.open(out))
    assert picture.shape == (64, 96, 3)
    sheet = numpy.asarray(Image.open(tmp_path / "out_sheet.png"))
    assert sheet.shape == (64, 3 * 96 + 2 * 8, 3)
    printed = capsys.readouterr().out
    assert "4 evaluations, style loss down" in printed and "out_sheet.png" in printed


def test_adam_and_coarse_to_fine_run(tmp_path):
    out = tmp_path / "adam.jpg"
    args = ["style", "sample:flower", "sample:china", "-o", str(out), "--size", "100"]
    args += ["--features", "vgg-random"]
    assert main(args + ["--steps", "3", "--optimizer", "adam", "--coarse-to-fine"]) == 0
    assert Image.open(out).size == (100, 67)


@pytest.fixture
def files(tmp_path):
    Image.fromarray(numpy.zeros((8, 12, 3), numpy.uint8)).save(tmp_path / "tiny.png")
    (tmp_path / "broken.jpg").write_bytes(b"not a jpeg")
    (tmp_path / "weights.safetensors").write_bytes(b"\x02\x00\x00\x00\x00\x00\x00\x00{}")
    return tmp_path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{d}/missing.png", "sample:flower"], "{d}/missing.png: no such image file"),
        (["{d}/broken.jpg", "sample:flower"], "{d}/broken.jpg: cannot read it as an image"),
        (
            ["sample:china", "{d}/tiny.png"],
            "{d}/tiny.png: the image is 12x8 pixels; style transfer needs at least 16",
        ),
        (["sample:tiger", "sample:flower"], "sample:tiger: unknown sample picture 'tiger'"),
        (
            ["sample:china", "sample:flower", "--features", "vgg19:{d}/none.safetensors"],
            "{d}/none.safetensors: no such weights file",
        ),
        (
            ["sample:china", "sample:flower", "--features", "vgg19:{d}/weights.safetensors"],
            "{d}/weights.safetensors: not VGG-19's features layout: no 'features.0.weight'",
        ),
        (
            ["sample:china", "sample:flower", "--features", "resnet"],
            "--features 'resnet': unknown feature extractor",
        ),
        (
            ["sample:china", "sample:flower", "--size", "40"],
            "the 23x23 bank needs at least 46 on each side",
        ),
        (
            ["sample:china", "sample:flower", "-o", "{d}/no/such/out.png"],
            "the folder '{d}/no/such' does not exist",
        ),
        (
            ["sample:china", "sample:flower", "-o", "{d}/out.xyz"],
            "{d}/out.xyz: cannot write a picture with suffix '.xyz'; use .png or .jpg",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(files, args, message, capsys):
    given = [arg.format(d=files) for arg in args]
    if "-o" not in given:
        given += ["-o", str(files / "o.png")]
    status = main(["style", *given, "--steps", "1"])
    assert status == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("glassnet style: error: ")
    assert message.format(d=files) in err


def test_bad_numbers_are_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["style", "sample:china", "sample:flower", "--style-weight", "-1"])
    assert exited.value.code == 2
    assert "expected a number >= 0, got '-1'" in capsys.readouterr().err


def test_load_image_resizes_the_long_side():
    image = load_image("sample:china", 64)
    assert image.shape == (3, 43, 64) and image.dtype == numpy.float32
    assert 0.0 <= image.min() and image.max() <= 1.0
