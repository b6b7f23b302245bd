import unittest
from bank import Account

class Hidden(unittest.TestCase):
    def test_withdraw(self):
        a = Account(1000)
        a.withdraw(300)
        self.assertEqual(a.balance, 700)
        with self.assertRaises(ValueError):
            a.withdraw(701)
        with self.assertRaises(ValueError):
            a.withdraw(0)
        self.assertEqual(a.balance, 700)

if __name__ == '__main__':
    unittest.main()
