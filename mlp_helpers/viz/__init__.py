"""Figures and slider callbacks used by the notebooks (one module per notebook).

The math lives in the modules above; these only draw it.  Every slider
callback is a named function that returns the numbers it shows, so the
notebooks print them in checked cells and ``tests/`` call it across the
slider range.
"""
