"""Research: studies, their pseudonymised exports, and the analysis toolkit.

The toolkit (effect sizes, meta-analysis, the multilevel engagement model, reliable change)
is plain Python a researcher imports without Django: `from bridgework.research import
effect_sizes, meta_analysis`. The Django side (studies, exports) lives in models, actions,
access, views and the export package.
"""
