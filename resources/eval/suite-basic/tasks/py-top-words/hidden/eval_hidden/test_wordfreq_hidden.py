import unittest
from wordfreq import top_words

class Hidden(unittest.TestCase):
    def test_normalised(self):
        self.assertEqual(top_words('The end. the END, and then', 2), [('the', 2), ('end', 2)])
        self.assertEqual(top_words('Hi! hi? HI', 1), [('hi', 3)])

if __name__ == '__main__':
    unittest.main()
