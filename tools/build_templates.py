"""Write templates/official/*.docx from docgen's template builder (``make templates``; commit both)."""

from docgen.render.builder import main

if __name__ == "__main__":
    main()
