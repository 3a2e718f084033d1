"""Office files in the official layout, one module per format: `word` (python-docx: A4,
方正小标宋 title, 仿宋 body, numbered pages, grid tables) and `excel` (openpyxl: bold frozen
header, filters, column widths that fit Chinese text)."""
