"""What every record model of Clauses shares (no app imported here, so that domain code may use it):

- SearchableQuerySet: `search(text)` — every word typed appears in the record's `search_text` column (or in
  the other columns listed in `search_fields`), ignoring case and accents, in any order;
- KeyedModel: an abstract model whose derived columns (matching keys, `search_text`) are filled by
  `compute_keys()` on every save (call it yourself before a bulk_create).
"""

from django.db import models
from django.db.models import Q

from clauses_site.text import normalize


class SearchableQuerySet(models.QuerySet):
    search_fields = ("search_text",)

    def search_words(self, text):
        return normalize(text).split()

    def search(self, text):
        """Every word typed appears in one of `search_fields` (ignoring case and accents), in any order."""
        words = self.search_words(text)
        if not words:
            return self
        return self.filter(
            *[
                Q.create([(f"{field}__contains", word) for field in self.search_fields], connector=Q.OR)
                for word in words
            ]
        )


class KeyedModel(models.Model):
    class Meta:
        abstract = True

    def compute_keys(self):
        """Fill the derived columns from the typed ones."""
        raise NotImplementedError

    def save(self, *args, **kwargs):
        self.compute_keys()
        super().save(*args, **kwargs)
