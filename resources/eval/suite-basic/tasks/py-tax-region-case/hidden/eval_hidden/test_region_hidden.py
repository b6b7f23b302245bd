import unittest
from invoice import invoice_total

class Hidden(unittest.TestCase):
    def test_case(self):
        self.assertEqual(invoice_total(100, 'eu'), 120.0)
        self.assertEqual(invoice_total(100, ' uk '), 120.0)
        self.assertEqual(invoice_total(1000, 'Ch'), 1081.0)
        with self.assertRaises(KeyError):
            invoice_total(100, 'mars')

if __name__ == '__main__':
    unittest.main()
