"""Instructor and maintainer tools, apart from the math that students import.

* :mod:`.worked`: step-by-step worked solutions of a small network (exact or hand-rounded);
* :mod:`.homework`: seeded homework variants with answer keys (``python -m mlp_helpers.instructor.homework``);
* :mod:`.course`: badges, Colab cell, fork and links from ``course.toml`` (``python -m mlp_helpers.instructor.course``);
* :mod:`.slides`: reveal.js decks from the notebooks.

Students check their answers with :mod:`mlp_helpers.check`, which stays in the main package.
"""
