import unittest
import pathlib
import shop
from shop import pricing
from shop.checkout import receipt

class Hidden(unittest.TestCase):
    def test_renamed(self):
        self.assertEqual(shop.calc_total([10.0], 0.5), 5.0)
        self.assertFalse(hasattr(pricing, 'calc_tot'))
        self.assertEqual(receipt([10.0], member=True), 'TOTAL 9.00')
        for f in ['shop/__init__.py', 'shop/pricing.py', 'shop/checkout.py']:
            self.assertNotIn('calc_tot(', pathlib.Path(f).read_text().replace('calc_total(', ''), f)
            self.assertNotIn('calc_tot\n', pathlib.Path(f).read_text(), f)

if __name__ == '__main__':
    unittest.main()
