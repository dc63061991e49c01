"""Instructor and maintainer tools, apart from the math that students import.

* :mod:`.worked`: step-by-step worked solutions of a small network (exact or hand-rounded);
* :mod:`.homework`: seeded homework variants with answer keys (``python -m mlp_helpers.instructor.homework``);
* :mod:`.course`: badges, Colab cell, fork and links from ``course.toml`` (``python -m mlp_helpers.instructor.course``);
* :mod:`.slides`: reveal.js decks from the notebooks.
* :mod:`.assign`: student and instructor versions of notebooks 01-04 with otter-grader, and grading
  (``python -m mlp_helpers.instructor.assign build|grade|selftest|smoke``).

Students check their answers with :mod:`mlp_helpers.check` and their exercise functions with
:mod:`mlp_helpers.exercises`, which stay in the main package.
"""
