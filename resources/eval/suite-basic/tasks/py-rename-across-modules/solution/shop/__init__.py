from .pricing import calc_total
