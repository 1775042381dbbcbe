"""Stage: interpret. Extracted text and tables → what the report says: title, body, year, template, figures under canonical codes, consistency checks."""
