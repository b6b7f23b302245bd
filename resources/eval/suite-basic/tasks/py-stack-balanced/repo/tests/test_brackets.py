import unittest
from brackets import is_balanced

class BracketTest(unittest.TestCase):
    def test_simple(self):
        self.assertTrue(is_balanced('(a[b]{c})'))
        self.assertFalse(is_balanced('(('))

if __name__ == '__main__':
    unittest.main()
