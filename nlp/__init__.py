"""Vietnamese NLP: normalize → segment → tag → dedup → claims. Heavy models load lazily."""
