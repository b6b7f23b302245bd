import unittest
from listutil import dedupe

class Hidden(unittest.TestCase):
    def test_order(self):
        self.assertEqual(dedupe(['b', 'a', 'b', 'c', 'a']), ['b', 'a', 'c'])
        self.assertEqual(dedupe([3, 2, 1, 3]), [3, 2, 1])
        self.assertEqual(dedupe([]), [])

if __name__ == '__main__':
    unittest.main()
