import unittest
from shop.checkout import receipt

class CheckoutTest(unittest.TestCase):
    def test_receipt(self):
        self.assertEqual(receipt([1.0, 2.0]), 'TOTAL 3.00')

if __name__ == '__main__':
    unittest.main()
