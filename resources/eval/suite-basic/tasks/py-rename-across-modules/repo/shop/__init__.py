from .pricing import calc_tot
