import unittest
from invoice import invoice_total

class InvoiceTest(unittest.TestCase):
    def test_eu(self):
        self.assertEqual(invoice_total(100, 'EU'), 120.0)

if __name__ == '__main__':
    unittest.main()
