"""The expression vocabulary every stage shares: ML functions SymPy lacks, author-form
algebra (tidy without reordering), placeholders held in displayed formulas, sums over
examples."""
