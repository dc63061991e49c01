"""Self-checks: every diagnosis code is triggered by a test, and bad input is refused.

The answer key used here is typed in from seed 001 (the hand derivation's
delta1, dL/dW1 and dL/dW2 rounded to 4 decimals) plus small hand-made arrays,
never computed by the code under test.
"""
import json

import numpy as np
import pytest

from mlp_helpers.check import CODES, Diagnosis, check, diagnose

DELTA1 = np.array([0.6670, -1.0612, 0.2853])          # seed 001, column vector written 1-D
DW1 = np.array([[0.6670, -0.6670, 0.3335, 1.3340],    # seed 001, dL/dW1 = delta1 x^T
                [-1.0612, 1.0612, -0.5306, -2.1224],
                [0.2853, -0.2853, 0.1427, 0.5706]])
KEY = {"delta1": DELTA1, "dW1": DW1, "grad_pen_W": np.array([[0.03, -0.046], [0.042, -0.016]])}


def test_correct():
    d = diagnose("delta1", [0.6670, -1.0612, 0.2853], DELTA1)
    assert d == Diagnosis(True, "correct", "delta1 is correct.")


def test_correct_within_tolerance_only():
    assert diagnose("x", [1.0 + 1e-8], [1.0]).code == "correct"
    assert diagnose("x", [1.0 + 1e-3], [1.0]).code != "correct"
    assert diagnose("x", [1.0 + 1e-3], [1.0], rtol=1e-2).code == "correct"


def test_shape_row_instead_of_1d():
    d = diagnose("delta1", DELTA1.reshape(1, 3), DELTA1)
    assert (d.ok, d.code) == (False, "shape")
    # which is whose: the student's value is "your delta1", the key's "the expected delta1" (issue 10)
    assert "your delta1 has shape (1, 3); the expected delta1 has shape (3,)" in d.message
    assert "the numbers are right" in d.message and ".reshape" not in d.message  # the kind, not the fix


def test_shape_different_size():
    d = diagnose("dW1", np.zeros((3, 3)), DW1)
    assert d.code == "shape"
    assert "reshape" not in d.message


def test_transposed_rectangular():
    d = diagnose("dW1", DW1.T, DW1)  # x delta1^T instead of delta1 x^T
    assert d.code == "transposed" and not d.ok
    assert "your dW1 is transposed: it has shape (4, 3)" in d.message
    assert "the expected dW1, which has shape (3, 4)" in d.message


def test_transposed_square():
    e = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert diagnose("W", [[1.0, 3.0], [2.0, 4.0]], e).code == "transposed"
    # a symmetric matrix equals its transpose: that is simply correct
    s = np.array([[1.0, 2.0], [2.0, 5.0]])
    assert diagnose("W", s.T, s).code == "correct"


def test_transposed_column_vector_is_shape_not_transpose_of_1d():
    # (3, 1) against a (3, 1) key written as a column: a row (1, 3) is its transpose
    col = DELTA1.reshape(3, 1)
    assert diagnose("delta1", DELTA1.reshape(1, 3), col).code == "transposed"


def test_sign():
    d = diagnose("delta2", [0.7817, -0.7817], [-0.7817, 0.7817])
    assert d.code == "sign"
    assert "your delta2 has the wrong sign: it equals minus the expected delta2" in d.message


def test_factor_2_lambda_convention():
    # gradient of lam*w^2 (2*lam*w) given where the key uses lam/2*w^2 (lam*w)
    lam, W = 0.01, np.array([[1.5, -2.3], [2.1, -0.8]])
    key = {"grad_pen_W": lam * W}
    d = check("grad_pen_W", 2 * lam * W, key, quiet=True)
    assert d.code == "factor_2"
    assert "factor of 2" in d.message and "lambda" in d.message
    assert "your grad_pen_W is off by a factor of 2 (twice the expected grad_pen_W)" in d.message


def test_factor_half_lambda_convention():
    # seed 000's convention: d/dw (0.01 w^2) = 2 * 0.01 * 1.5 = 0.03; half of it is 0.015
    d = diagnose("grad_pen_W2_00", 0.015, 0.03)
    assert d.code == "factor_half"
    assert "lam/2*sum(w^2)" in d.message and "did you" not in d.message and "(half the expected grad_pen_W2_00)" in d.message


def test_rounded_too_early_seed001():
    # seed 001 rounds delta2 and H to 4 decimals before dL/dW2 = delta2 H^T:
    # its -1.8180 against the full-precision -1.818139... is "rounded", not "wrong"
    exact_dW2_11 = -1.818139  # full precision, to 6 decimals (lead's note on seed 001)
    d = diagnose("dW2[0,0]", -1.8180, exact_dW2_11, decimals=4)
    assert d.code == "rounded"
    assert "your dW2[0,0] agrees with the expected dW2[0,0] only to about 4 decimals" in d.message
    # without decimals=, -1.8180 reads as 3 decimals: still "rounded"
    assert diagnose("dW2[0,0]", -1.8180, exact_dW2_11).code == "rounded"
    # a rounding-sized error on the whole matrix, seed 001's dL/dW2 against full precision
    dW2_seed = np.array([[-1.8180, -0.5416, -0.9104], [1.8180, 0.5416, 0.9104]])
    dW2_exact = np.array([[-1.818139, -0.541674, -0.910462], [1.818139, 0.541674, 0.910462]])  # backward(), 6 decimals
    assert diagnose("dW2", dW2_seed, dW2_exact).code == "rounded"


def test_rounded_with_explicit_decimals():
    assert diagnose("z", [0.39], [0.3926], decimals=2).code == "rounded"
    assert diagnose("z", [0.39], [0.3926], decimals=4).code == "wrong"


def test_rounded_needs_small_difference():
    # shows 4 decimals but is off in the second decimal: wrong, not rounded
    assert diagnose("z", [0.4026], [0.3926]).code == "wrong"
    # a one-decimal guess is never "rounded" without decimals=
    assert diagnose("z", [0.3], [0.2817]).code == "wrong"


def test_wrong_names_the_entry():
    wrong = DW1.copy()
    wrong[1, 2] = 0.5306
    d = diagnose("dW1", wrong, DW1)
    assert d.code == "wrong"
    assert "your dW1 is wrong: the largest difference is at index (1, 2), where yours is 0.5306 and the " \
           "expected value is -0.5306." == d.message


def test_nan_answer_is_wrong_not_an_error():
    assert diagnose("x", [np.nan, 1.0], [1.0, 1.0]).code == "wrong"


def test_every_code_reached():
    cases = {
        "correct": ([1.0, 2.0], [1.0, 2.0]),
        "shape": ([1.0, 2.0, 3.0], [1.0, 2.0]),
        "transposed": ([[1.0, 2.0]], [[1.0], [2.0]]),
        "sign": ([-1.0, 2.0], [1.0, -2.0]),
        "factor_2": ([2.0, 4.0], [1.0, 2.0]),
        "factor_half": ([0.5, 1.0], [1.0, 2.0]),
        "rounded": ([0.33, 0.67], [1 / 3, 2 / 3]),
        "wrong": ([5.0, 2.0], [1.0, 2.0]),
        "missing": (None, [1.0, 2.0]),
    }
    assert set(cases) == set(CODES)
    for code, (a, e) in cases.items():
        assert diagnose("v", a, e).code == code, code


def test_check_prints_and_returns(capsys):
    d = check("delta1", DELTA1, KEY)
    assert d.ok and d.code == "correct"
    assert capsys.readouterr().out == "✓ delta1 is correct.\n"
    d = check("delta1", -DELTA1, KEY)
    assert d.code == "sign"
    assert capsys.readouterr().out.startswith("✗ your delta1 has the wrong sign")


def test_check_quiet(capsys):
    check("dW1", DW1.T, KEY, quiet=True)
    assert capsys.readouterr().out == ""


def test_check_unknown_name_lists_known():
    with pytest.raises(KeyError, match="dW1, delta1, grad_pen_W"):
        check("delta3", DELTA1, KEY)


@pytest.mark.parametrize("bad", ["0.667", {"a": 1}, [1, "x"], np.array([1 + 2j]), [None, 1.0]])
def test_non_numeric_answer_names_argument(bad):
    with pytest.raises(TypeError, match="answer"):
        diagnose("delta1", bad, DELTA1)


def test_bad_expected_name_and_key():
    with pytest.raises(TypeError, match="expected"):
        diagnose("delta1", DELTA1, "abc")
    with pytest.raises(TypeError, match="name"):
        diagnose(3, DELTA1, DELTA1)
    with pytest.raises(TypeError, match="key"):
        check("delta1", DELTA1, [1, 2, 3])
    with pytest.raises(ValueError, match="rtol"):
        diagnose("delta1", DELTA1, DELTA1, rtol=-1)
    with pytest.raises(ValueError, match="decimals"):
        diagnose("delta1", DELTA1, DELTA1, decimals=2.5)


def test_missing_answer_is_a_diagnosis_not_an_error(capsys):
    # an exercise stub left as handed out: never "correct", never a traceback
    for stub, shown in ((None, "None"), (..., "...")):
        d = check("delta1", stub, KEY)
        assert (d.ok, d.code) == (False, "missing")
        assert capsys.readouterr().out == (f"✗ your delta1 is missing: the answer is still {shown}; replace it "
                                           "with your computation and run the check again.\n")


def _key_file(tmp_path, rule, decimals=4, answers=None):
    from mlp_helpers.check import AnswerKey
    ak = AnswerKey(answers or {"delta1": DELTA1, "dW1": DW1}, rule=rule, decimals=decimals)
    path = tmp_path / f"key_{rule}.json"
    path.write_text(json.dumps(ak.to_json()))
    return path


def test_key_file_hand_rule(tmp_path, capsys):
    from mlp_helpers.check import load_key
    path = _key_file(tmp_path, "hand")
    key = load_key(path)
    assert key.rule == "hand" and key.decimals == 4 and key.rtol == 0.0 and key.atol == pytest.approx(5e-5)
    # the same call works with the loaded key, the parsed JSON and the file name
    for k in (key, json.loads(path.read_text()), str(path), path):
        assert check("delta1", [0.6670, -1.0612, 0.2853], k, quiet=True).ok
    # written to 4 decimals = the key; within half a unit of the last decimal too
    assert check("delta1", [0.66704, -1.06116, 0.28534], key, quiet=True).ok
    # a different rounding order (or full precision) is off by a unit of the last decimal: "rounded",
    # and the message points at the stated rule, not at "keep full precision"
    d = check("delta1", [0.6671, -1.0613, 0.2854], key)
    assert d.code == "rounded"
    out = capsys.readouterr().out
    assert "rounding rule of the problem (every intermediate rounded to 4 decimals" in out
    assert "keep full precision" not in out
    assert check("delta1", -DELTA1, key, quiet=True).code == "sign"
    assert check("dW1", DW1.T, key, quiet=True).code == "transposed"


def test_key_file_exact_rule(tmp_path):
    from mlp_helpers.check import load_key
    exact = np.array([0.667071, -1.061282, 0.285371])  # full precision
    key = load_key(_key_file(tmp_path, "exact", answers={"delta1": exact}))
    assert check("delta1", np.round(exact, 4), key, quiet=True).ok      # only the written answer rounded
    d = check("delta1", [0.6670, -1.0612, 0.2853], key, quiet=True)      # seed 001's hand-rounded figures
    assert d.code == "rounded" and "rounded too early" in d.message
    # explicit tolerances win over the key's
    assert check("delta1", np.round(exact, 4), key, atol=1e-9, rtol=0, quiet=True).code == "rounded"


def test_key_file_errors(tmp_path):
    from mlp_helpers.check import AnswerKey, load_key
    with pytest.raises(ValueError, match="path: no key file"):
        load_key(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="not a JSON key file"):
        load_key(bad)
    with pytest.raises(TypeError, match="path"):
        load_key(3)
    with pytest.raises(ValueError, match="decimals"):
        AnswerKey({"a": [1.0]}, rule="hand")
    with pytest.raises(ValueError, match="rule"):
        AnswerKey({"a": [1.0]}, rule="calculator")
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"delta1": DELTA1.tolist()}))
    assert check("delta1", DELTA1, str(plain), quiet=True).ok            # a plain table: full precision
