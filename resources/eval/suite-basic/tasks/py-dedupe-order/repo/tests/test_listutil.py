import unittest
from listutil import dedupe

class DedupeTest(unittest.TestCase):
    def test_removes(self):
        self.assertEqual(sorted(dedupe([1, 1, 2])), [1, 2])

if __name__ == '__main__':
    unittest.main()
