import unittest
from brackets import is_balanced

class Hidden(unittest.TestCase):
    def test_order(self):
        self.assertFalse(is_balanced('([)]'))
        self.assertFalse(is_balanced(')('))
        self.assertTrue(is_balanced('x{y[z(1)]}'))
        self.assertTrue(is_balanced(''))

if __name__ == '__main__':
    unittest.main()
