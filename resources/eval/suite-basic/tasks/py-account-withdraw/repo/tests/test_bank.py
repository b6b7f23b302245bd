import unittest
from bank import Account

class BankTest(unittest.TestCase):
    def test_deposit(self):
        a = Account()
        a.deposit(500)
        self.assertEqual(a.balance, 500)

if __name__ == '__main__':
    unittest.main()
